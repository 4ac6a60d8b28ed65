"""The Streamlit app: session state, the live driver, the sidebar built from the settings table, the boards, Take it with you."""
