"""BOSS: customers, accounts, products, bills, usage, payments and the elastic billing package."""
