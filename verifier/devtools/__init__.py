"""Developer tooling kept out of the product app: demo data generation (`generate_demo_data`)."""
