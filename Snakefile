# seqattn: pick small marker panels with Sequential Attention, validate them against peers
# under leak-free nested cross-validation, and report them.
#
#   data -> preprocess -> folds -> select (per fold + final) -> validate -> aggregate
#        -> figures + summary -> report;  folds -> recommend (inner CV per outer fold)
#        -> the headline of summary and report
#
# Configure in config/config.yaml (checked against workflow/schemas/config.schema.yaml);
# site settings (cores, SLURM partitions, GPUs) live in profiles/.
from snakemake.utils import min_version

min_version("9.0")


# The demo config, unless a config is given with --configfile: that one then replaces it
# (Snakemake would otherwise merge the two and run the demo data sets too).
if not workflow.config_settings.configfiles:

    configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


wildcard_constraints:
    dataset="[A-Za-z0-9][A-Za-z0-9_.-]*",
    method="[A-Za-z0-9][A-Za-z0-9_.-]*",
    repeat="[0-9]+",
    fold="[0-9]+",


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/select.smk"
include: "workflow/rules/validate.smk"
include: "workflow/rules/aggregate.smk"
include: "workflow/rules/recommend.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        get_final_output(),
