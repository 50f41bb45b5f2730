# Sourced by the bench scripts: the tier the crate selects on this machine
# and the CPU's name as lscpu gives it, for patterns and chart titles.
tier="$(cargo run --release --quiet --example selected_tier)"
cpu="$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n1)"
cpu="$cpu (family $(lscpu | sed -n 's/^CPU family:[[:space:]]*//p' | head -n1), model $(lscpu | sed -n 's/^Model:[[:space:]]*//p' | head -n1), $(nproc) CPUs)"
export tier cpu
