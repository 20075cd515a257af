"""The answer engine: sources, passages, analysis, retrieval, answers, spoilers. Never imports discord."""
