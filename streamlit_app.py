"""Entry point (`streamlit run streamlit_app.py`): page config and navigation only."""
from playground import ui_navigation

ui_navigation.run()
