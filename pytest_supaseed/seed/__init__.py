"""The seeding run: insert order, Supabase users and MakerKit rows, the bulk writer, progress."""
