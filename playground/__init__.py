"""A PyTorch neural-network playground for Streamlit.

Its parts, with dependencies pointing one way (app -> viz, teaching, server -> engine -> config -> data):
data/ (datasets), config.py (settings), engine/ (torch), server/ (what sessions share), teaching/,
viz/ (chart options) and app/ (the only part that imports Streamlit). See docs/architecture.md.
"""
