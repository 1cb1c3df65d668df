"""Real servers for tests and benchmarks: a private Dovecot (IMAP) and an aiosmtpd SMTP server.

Import as `servers.dovecot` / `servers.smtp` with tests/ on sys.path; pytest fixtures are in
`servers.plugin`.
"""
