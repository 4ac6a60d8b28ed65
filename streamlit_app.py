"""Entry point (Streamlit Community Cloud runs this file): page config and navigation only."""
import streamlit as st

st.set_page_config(page_title="PyTorch playground", page_icon=":material/neurology:", layout="wide")
st.navigation(
    [
        st.Page("pages/playground_2d.py", title="2-D playground", icon=":material/scatter_plot:", default=True),
        st.Page("pages/tabular.py", title="Tables and regression", icon=":material/table_chart:"),
        st.Page("pages/images.py", title="Images", icon=":material/image:"),
        st.Page("pages/race.py", title="Optimizer race", icon=":material/sprint:"),
        st.Page("pages/mistakes.py", title="Mistake lab", icon=":material/bug_report:"),
    ]
).run()
