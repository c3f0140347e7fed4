"""The dashboard's pages, one module each (run by Streamlit as scripts, listed in ``dashboard.app``)."""
