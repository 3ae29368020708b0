"""supportdesk: a customer-support assistant a small business runs itself."""
