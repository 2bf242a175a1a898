import TutorialSupport
print("08-WGAN-GP: not written yet")
