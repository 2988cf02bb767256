"""Monthly cost of a Converge-NPS stack: the price table (`prices.yaml`), the model's vocabulary
(`model.py`) and the stack's estimate over its components' own cost functions (`stack.py`)."""
