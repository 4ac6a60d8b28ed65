"""Entry point (`streamlit run streamlit_app.py`): page config and navigation only."""
from playground.app import navigation as ui_navigation

ui_navigation.run()
