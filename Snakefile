# seqattn workflow (bootstrap): writes the bundled demo data; the full DAG
# (preprocess -> folds -> select -> validate -> aggregate -> figures -> report)
# replaces this as the workflow lands.
configfile: "config/config.yaml"


rule all:
    input:
        expand("results/{dataset}/data.h5ad", dataset=config["datasets"]),


rule bundled_data:
    output:
        "results/{dataset}/data.h5ad",
    log:
        "logs/{dataset}/bundled_data.log",
    shell:
        "seqattn datasets {wildcards.dataset} --out {output} > {log} 2>&1"
