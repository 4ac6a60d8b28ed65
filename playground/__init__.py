"""A PyTorch neural-network playground: engine modules plus the Streamlit glue in ui*.py."""
