import TutorialSupport
print("07-CheckpointsAndResume: not written yet")
