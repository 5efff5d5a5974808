"""Reports and the dashboard: every KPI, trend and breakdown the HMO portal draws."""
