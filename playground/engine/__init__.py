"""Torch and numpy only: models, the training loop, the resumable run, the optimizer race, the mistake loops, neuron maps."""
