-- Modelled on Supabase's AI / RAG examples: pgvector embeddings per user document and a
-- match_documents() similarity function. Needs the `vector` extension, which the embedded
-- PostgreSQL 17 cannot provide (see docs/backends.md): the plugin refuses it before any SQL runs.
create extension if not exists vector with schema extensions;

create table public.documents (
  id bigint primary key generated always as identity,
  owner_id uuid not null default auth.uid() references auth.users on delete cascade,
  content text not null,
  embedding extensions.vector(384)
);
alter table public.documents enable row level security;
create policy "owners read documents" on public.documents for select to authenticated
  using (owner_id = (select auth.uid()));

create index on public.documents using hnsw (embedding extensions.vector_ip_ops);

create function public.match_documents(query_embedding extensions.vector(384), match_threshold float)
returns setof public.documents
language sql stable
as $$
  select * from public.documents
  where documents.embedding <#> query_embedding < -match_threshold
  order by documents.embedding <#> query_embedding
$$;
