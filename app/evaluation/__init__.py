"""Performance evaluation (绩效评价): templates, evaluations, the self-evaluation table."""
