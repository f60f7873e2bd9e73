"""Django-side plumbing shared by the park ledgers (land, investment, enterprise): abstract model
bases, ledger files (JSON, Excel), storage with change history, app registration and the CLI
scaffolding. Not an app of its own: each ledger app uses these pieces for its own tables."""
