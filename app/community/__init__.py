"""The community secretary's area: dashboard, needs, plan, projects, meetings, notices, payments."""
