import TutorialSupport
print("05-DCGAN-Transposed: not written yet")
