"""How records travel to and from files: sources read safely, imports judged against what people decided,
exports written atomically, one of each at a time."""
