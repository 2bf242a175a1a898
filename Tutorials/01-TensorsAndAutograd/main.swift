import Ember
print(Tensor([1, 2, 3]))
