"""What the playground teaches with: the tutorials as presets, the mistake lab's lessons, the script and settings to take away."""
