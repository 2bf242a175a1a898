import TutorialSupport
print("06-AutoencoderVAE: not written yet")
