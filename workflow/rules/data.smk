rule bundled_data:
    output:
        "results/{dataset}/raw.h5ad",
    log:
        "logs/{dataset}/bundled_data.log",
    benchmark:
        "logs/benchmarks/{dataset}/bundled_data.tsv"
    conda:
        "../../envs/seqattn.yaml"
    threads: 1
    params:
        name=get_bundled_name,
    shell:
        "seqattn datasets {params.name:q} --out {output:q} > {log:q} 2>&1"


rule preprocess:
    input:
        unpack(get_preprocess_input),
    output:
        "results/{dataset}/data.h5ad",
    log:
        "logs/{dataset}/preprocess.log",
    benchmark:
        "logs/benchmarks/{dataset}/preprocess.tsv"
    conda:
        "../../envs/seqattn.yaml"
    threads: 1
    params:
        args=get_preprocess_args,
    shell:
        "seqattn preprocess {input.data:q} {params.args:q} --threads {threads}"
        " --out {output:q} > {log:q} 2>&1"


rule folds:
    input:
        "results/{dataset}/data.h5ad",
    output:
        report(
            "results/{dataset}/folds.tsv",
            caption="../report/folds.rst",
            category="{dataset}",
            subcategory="Cross-validation",
        ),
    log:
        "logs/{dataset}/folds.log",
    benchmark:
        "logs/benchmarks/{dataset}/folds.tsv"
    conda:
        "../../envs/seqattn.yaml"
    threads: 1
    params:
        args=get_folds_args,
    shell:
        "seqattn folds {input:q} {params.args:q} --out {output:q} > {log:q} 2>&1"
