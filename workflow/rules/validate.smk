rule validate:
    input:
        data="results/{dataset}/data.h5ad",
        folds="results/{dataset}/folds.tsv",
        panel="results/{dataset}/panels/{method}/r{repeat}_f{fold}.tsv",
    output:
        metrics="results/{dataset}/metrics/{method}/r{repeat}_f{fold}.tsv",
        predictions="results/{dataset}/metrics/{method}/r{repeat}_f{fold}.predictions.tsv",
    log:
        "logs/{dataset}/validate/{method}/r{repeat}_f{fold}.log",
    benchmark:
        "logs/benchmarks/{dataset}/validate/{method}/r{repeat}_f{fold}.tsv"
    conda:
        "../../envs/seqattn.yaml"
    threads: 1
    params:
        label=get_label,
        ks=get_ks(),
        args=get_validate_args,
    shell:
        "seqattn validate {input.data} --label {params.label} --folds {input.folds}"
        " --repeat {wildcards.repeat} --fold {wildcards.fold} --panel {input.panel}"
        " --ks {params.ks} {params.args} --dataset {wildcards.dataset}"
        " --method {wildcards.method} --threads {threads}"
        " --out {output.metrics} --predictions {output.predictions} > {log} 2>&1"
