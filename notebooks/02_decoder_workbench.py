# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Decoder workbench: what did the customer ask for?
#
# "That thing for the Opel, you know, the left one, Astra": could sales have
# decoded it? Type requests below and see the decoded item, the alternatives,
# and which words named which slot. Requests the decoder cannot pin down come
# back `ambiguous` or `partial` with candidates, never as a confident guess.

# %% tags=["parameters"]
CATALOG = None  # path to a catalog; None generates the sample one
SEED = 7
CATALOG_SIZE = 20000
REQUESTS = [
    "ну эту штуку на опель, которая колесо крутит, левая, астра J",
    "граната наружная на астру h",
    "ghbdjl ktdsq fcnhf j",
    "privod levyi na astru j 2012",
    "колодки на пежо 308",
    "ищу работу водителем",
]

# %%
import json

import pandas as pd

from triage.decode import Decoder, decode_requests, load_catalog
from triage.synth import generate_world

catalog = (
    generate_world(months=1, leads_per_month=10, catalog_size=CATALOG_SIZE, seed=SEED).catalog
    if CATALOG is None
    else load_catalog(CATALOG)
)
decoder = Decoder(catalog).fit()
print(f"indexed {len(decoder.index_):,} items in {decoder.build_seconds_:.1f} s")

# %%
decoded = decode_requests(REQUESTS, decoder)
pd.concat([pd.Series(REQUESTS, name="request"), decoded.drop(columns="decoded_candidates")], axis=1)

# %% [markdown]
# ## The evidence behind the first request's candidates

# %%
for candidate in json.loads(decoded.loc[0, "decoded_candidates"]):
    print(f"{candidate['score']:5.1f}  {candidate['sku']}  {candidate['name']}")
    for e in candidate["evidence"]:
        mark = "" if e["agrees"] is not False else "  <- item disagrees"
        print(f"        {e['words']!r} -> {e['slot']} = {e['value']} ({e['how']}){mark}")
