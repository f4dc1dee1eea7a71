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
# # Do marketing and sales count target leads the same way?
#
# The first thing the owner asks each month. This notebook loads a month (or
# several) of leads, decodes every request, evaluates the agreed charter and
# puts three numbers side by side: target leads by marketing, by sales, and by
# the charter both signed. Then it shows where the departments' own charters
# split. All logic lives in `triage`; the notebook only calls it.

# %% tags=["parameters"]
LEADS = None  # path to a lead export; None generates the sample world
CATALOG = None  # path to the catalog; None uses the generated one
MAPPING = None  # column-mapping YAML for a CRM export with other column names
SEED = 7
MONTHS = 2
LEADS_PER_MONTH = 1500
CATALOG_SIZE = 20000

# %%
from triage.charter import agreement_table, compare_on_leads, diff_charters, load_charter
from triage.config import get_settings
from triage.decode import Decoder, load_catalog
from triage.io.leads import load_leads
from triage.pipeline import Scorer
from triage.synth import generate_world

if LEADS is None:
    world = generate_world(
        months=MONTHS, leads_per_month=LEADS_PER_MONTH, catalog_size=CATALOG_SIZE, seed=SEED
    )
    leads, catalog = world.leads, world.catalog
else:
    leads = load_leads(LEADS, mapping=MAPPING)
    catalog = load_catalog(CATALOG)
decoder = Decoder(catalog).fit()
print(f"{len(leads):,} leads; catalog of {len(decoder.index_):,} items indexed in {decoder.build_seconds_:.1f} s")

# %% [markdown]
# ## Decode and judge every lead with the agreed charter

# %%
scorer = Scorer.build(catalog=decoder)  # the agreed charter by default
batch = scorer.score_batch(leads)
judged = batch.leads
print(batch.charter.name, "version", batch.charter.version, "timings", batch.timings)
judged["decoded_status"].value_counts()

# %% [markdown]
# ## The one number that must not differ

# %%
overall = agreement_table(judged)
overall

# %%
agreement_table(judged, by="month")

# %%
agreement_table(judged, by="channel")

# %% [markdown]
# ## Where the departments' own charters split

# %%
charters = get_settings().charters_dir
marketing = load_charter(charters / "marketing.yaml")
sales = load_charter(charters / "sales.yaml")
for change in diff_charters(marketing, sales).changes:
    print(change.kind, change.id, "-", "; ".join(change.details))

# %%
comparison = compare_on_leads(judged, marketing, sales)  # decoded above, never again
print(
    f"on {comparison.n_leads:,} leads: marketing's charter counts {comparison.target_a:,}, "
    f"sales' charter {comparison.target_b:,}, kappa {comparison.kappa.kappa:.3f}"
)
comparison.confusion

# %% [markdown]
# The criteria that split the two verdicts most often, and example leads.

# %%
comparison.splitters.head(10)

# %%
comparison.examples.head(10)
