import TutorialSupport
print("09-ConditionalGAN: not written yet")
