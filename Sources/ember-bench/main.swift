import Ember
print("ember-bench: placeholder")
