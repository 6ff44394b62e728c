# The seed tutorial's program in Python, with torch.manual_seed(0) first:
# examples/seed_tutorial/expected_output.txt is what this prints.
import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(0)
tensor_a = torch.tensor([[1, 2, 3], [4, 5, 6]])
print(tensor_a)
tensor_b = torch.rand(2, 3)
print(tensor_b)

x = torch.tensor(2.0, requires_grad=True)
y = x ** 2
y.backward()
print(x.grad)


class SimpleNN(nn.Module):
    def __init__(self):
        super(SimpleNN, self).__init__()
        self.fc1 = nn.Linear(2, 4)
        self.fc2 = nn.Linear(4, 1)

    def forward(self, x):
        x = torch.relu(self.fc1(x))
        x = self.fc2(x)
        return x


model = SimpleNN()
print(model)

x_train = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
y_train = torch.tensor([[0.0], [1.0], [1.0], [0.0]])
criterion = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=0.1)
for epoch in range(100):
    model.train()
    optimizer.zero_grad()
    output = model(x_train)
    loss = criterion(output, y_train)
    loss.backward()
    optimizer.step()
    if (epoch + 1) % 10 == 0:
        print(f'Epoch [{epoch + 1}/100], Loss: {loss.item():.4f}')
