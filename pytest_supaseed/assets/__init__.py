"""Asset pools: real content (markdown, JSON, CSV, images) loaded, selected and mapped to rows."""
