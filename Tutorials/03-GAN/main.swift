import TutorialSupport
print("03-GAN: not written yet")
