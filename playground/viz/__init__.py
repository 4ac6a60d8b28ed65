"""ECharts options as plain dicts, in one palette: everything the boards draw (no Streamlit, no plotly)."""
