"""Sample district (渝中区) for firescore and its deterministic generator.

`python -m data_samples.generate` rewrites the committed sample in this folder;
`python -m data_samples.generate --units 3000 --out DIR` writes a district at scale.
"""
