rule validate:
    input:
        data="results/{dataset}/data.h5ad",
        folds="results/{dataset}/folds.tsv",
        panel="results/{dataset}/panels/{method}/r{repeat}_f{fold}.tsv",
        # checked beside the panel: the fold it was selected on
        meta="results/{dataset}/panels/{method}/r{repeat}_f{fold}.json",
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
        "seqattn validate {input.data:q} --label {params.label:q} --folds {input.folds:q}"
        " --repeat {wildcards.repeat:q} --fold {wildcards.fold:q} --panel {input.panel:q}"
        " --ks {params.ks:q} {params.args:q} --dataset {wildcards.dataset:q}"
        " --method {wildcards.method:q} --threads {threads}"
        " --out {output.metrics:q} --predictions {output.predictions:q} > {log:q} 2>&1"
