"""The dashboard's pages, one module each (Streamlit runs them as scripts; see dashboard.app)."""
