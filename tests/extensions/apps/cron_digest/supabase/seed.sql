select vault.create_secret('test-service-role-key', 'service_role_key', 'used by the digest job');
