rule select:
    input:
        data="results/{dataset}/data.h5ad",
        folds="results/{dataset}/folds.tsv",
        # the data set's panel.costs table, when it has one (passed in params.args)
        costs=get_costs_input,
    output:
        panel="results/{dataset}/panels/{method}/r{repeat}_f{fold}.tsv",
        meta="results/{dataset}/panels/{method}/r{repeat}_f{fold}.json",
    log:
        "logs/{dataset}/select/{method}/r{repeat}_f{fold}.log",
    benchmark:
        "logs/benchmarks/{dataset}/select/{method}/r{repeat}_f{fold}.tsv"
    conda:
        "../../envs/seqattn.yaml"
    threads: 1
    resources:
        gpu=get_select_gpus,
    params:
        label=get_label,
        ks=get_ks(),
        args=get_select_args,
        # hash of this data set's and method's config: a rerun trigger, recorded in the
        # panel's .json sidecar
        config_hash=get_config_hash,
    shell:
        "seqattn select {input.data:q} --label {params.label:q} --method {wildcards.method:q}"
        " --ks {params.ks:q} --folds {input.folds:q} --repeat {wildcards.repeat:q}"
        " --fold {wildcards.fold:q} {params.args:q} --dataset {wildcards.dataset:q}"
        " --config-hash {params.config_hash:q} --threads {threads}"
        " --out {output.panel:q} > {log:q} 2>&1"


# A method with an attention history (the registry's `has_attention`: Sequential Attention)
# also writes the attention weights of every step beside each panel.
use rule select as select_attention with:
    output:
        panel="results/{dataset}/panels/{method}/r{repeat}_f{fold}.tsv",
        meta="results/{dataset}/panels/{method}/r{repeat}_f{fold}.json",
        attention="results/{dataset}/panels/{method}/r{repeat}_f{fold}.attention.tsv",
    wildcard_constraints:
        method=ATTENTION_METHOD_RE,


ruleorder: select_attention > select


# The final panel: the method fitted on every sample (what a lab takes to the bench).
rule select_final:
    input:
        data="results/{dataset}/data.h5ad",
        costs=get_costs_input,
    output:
        panel=report(
            "results/{dataset}/panels/{method}/all.tsv",
            caption="../report/final_panel.rst",
            category="{dataset}",
            subcategory="Final panels",
            labels={"method": "{method}"},
        ),
        meta="results/{dataset}/panels/{method}/all.json",
    log:
        "logs/{dataset}/select/{method}/all.log",
    benchmark:
        "logs/benchmarks/{dataset}/select/{method}/all.tsv"
    conda:
        "../../envs/seqattn.yaml"
    threads: 1
    resources:
        gpu=get_select_gpus,
    params:
        label=get_label,
        ks=get_ks(),
        args=get_select_args,
        # hash of this data set's and method's config: a rerun trigger, recorded in the
        # panel's .json sidecar
        config_hash=get_config_hash,
    shell:
        "seqattn select {input.data:q} --label {params.label:q} --method {wildcards.method:q}"
        " --ks {params.ks:q} {params.args:q} --dataset {wildcards.dataset:q}"
        " --config-hash {params.config_hash:q} --threads {threads}"
        " --out {output.panel:q} > {log:q} 2>&1"


# and its attention weights, for the methods that have them
use rule select_final as select_final_attention with:
    output:
        panel=report(
            "results/{dataset}/panels/{method}/all.tsv",
            caption="../report/final_panel.rst",
            category="{dataset}",
            subcategory="Final panels",
            labels={"method": "{method}"},
        ),
        meta="results/{dataset}/panels/{method}/all.json",
        attention="results/{dataset}/panels/{method}/all.attention.tsv",
    wildcard_constraints:
        method=ATTENTION_METHOD_RE,


ruleorder: select_final_attention > select_final
