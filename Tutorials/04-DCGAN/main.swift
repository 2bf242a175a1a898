import TutorialSupport
print("04-DCGAN: not written yet")
