"""Presenter mode for a projector: the sidebar starts collapsed, type is larger, the 2-D board's pictures grow.

It is a URL parameter (?present=true, kept in classroom links beside ?hide=...) and a toggle bound to it.
"""
from __future__ import annotations

import streamlit as st

PARAM = "present"  # the URL parameter and the toggle's key
FONT_PX = 19  # the page's root font size in presenter mode (browsers' default: 16); Streamlit sizes its text in rem


def presenting() -> bool:
    """Whether this page is in presenter mode (its URL says so)."""
    return st.query_params.get(PARAM) == "true"  # the value the bound toggle writes (it drops any other)


def sidebar_state() -> str:
    """The page config's initial sidebar: collapsed for a projector, else Streamlit's (open on a wide screen)."""
    return "collapsed" if presenting() else "auto"


def presenter_toggle() -> None:
    """The sidebar's switch, bound to the URL (?present=true), so a link copied in presenter mode opens in it."""
    st.toggle(
        "Presenter mode", key=PARAM, bind="query-params",
        help="For a projector: larger type, bigger pictures, and the sidebar starts collapsed when the link is opened "
        "(open it again with the arrow at the top left). The link keeps it: add ?present=true to any classroom link.",
    )


def apply_style() -> None:
    """Larger type in presenter mode: the page's root font size (the charts size their own text)."""
    if presenting():
        st.html(f"<style>html {{ font-size: {FONT_PX}px; }}</style>")
