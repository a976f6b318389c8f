# Writes dcgm/scrape-NN.txt: nine scrapes of a DCGM exporter 15 s apart on
# one host with an H100 (a workload pod; its energy counter resets in
# scrape 05), an A100 in MIG mode (two GPU instances, each with a pod) and
# an L40S whose rows carry no pod labels. Run: python3 gen_dcgm.py
H100 = 'gpu="0",UUID="GPU-5e0b8c4a-29d1-4a7e-9b3f-0c1d2e3f4a5b",pci_bus_id="00000000:19:00.0",device="nvidia0",modelName="NVIDIA H100 80GB HBM3",Hostname="gpu-node-a",DCGM_FI_DRIVER_VERSION="550.90.07"'
H100_POD = ',container="vllm",namespace="inference",pod="vllm-6f9c8d7b5-x2k4q"'
A100 = 'gpu="1",UUID="GPU-a17c3f20-88e4-4f1b-a2d6-7e9f0b1c2d3e",pci_bus_id="00000000:3B:00.0",device="nvidia1",modelName="NVIDIA A100-SXM4-80GB",Hostname="gpu-node-a",DCGM_FI_DRIVER_VERSION="550.90.07"'
MIG1 = A100 + ',GPU_I_PROFILE="3g.40gb",GPU_I_ID="1",container="trainer",namespace="research",pod="trainer-0"'
MIG13 = A100 + ',GPU_I_PROFILE="1g.10gb",GPU_I_ID="13",container="embed",namespace="inference",pod="embed-7c5d9-qq8wz"'
L40S = 'gpu="2",UUID="GPU-c0ffee00-1234-4cde-8f00-abcdef012345",pci_bus_id="00000000:5E:00.0",device="nvidia2",modelName="NVIDIA L40S",Hostname="gpu-node-a",DCGM_FI_DRIVER_VERSION="550.90.07"'

h100_gr = [0.8, 0.8, 0.9, 0.75, 0.8, 0.85, 0.6, 0.9, 0.8]
h100_energy = []
e = 912_345_678_000
for i in range(9):
    if i == 5:
        e = 3_000_000  # driver reload: the counter starts again near zero
    elif i > 0:
        e += 7_500_000
    h100_energy.append(e)
a100_energy = [4_400_000_000 + 4_000_000 * i for i in range(9)]
l40s_energy = [77_000_000 + 1_200_000 * i for i in range(9)]

for i in range(9):
    out = []
    def fam(name, typ, help_):
        out.append(f"# HELP {name} {help_}")
        out.append(f"# TYPE {name} {typ}")
    fam("DCGM_FI_DEV_GPU_UTIL", "gauge", "GPU utilization (in %).")
    out.append(f"DCGM_FI_DEV_GPU_UTIL{{{H100}{H100_POD}}} {round(h100_gr[i]*100+9)}")
    out.append(f"DCGM_FI_DEV_GPU_UTIL{{{L40S}}} 31")
    fam("DCGM_FI_DEV_POWER_USAGE", "gauge", "Power draw (in W).")
    out.append(f"DCGM_FI_DEV_POWER_USAGE{{{H100}{H100_POD}}} {512.338 + i:.3f}")
    out.append(f"DCGM_FI_DEV_POWER_USAGE{{{MIG1}}} 266.712")
    out.append(f"DCGM_FI_DEV_POWER_USAGE{{{MIG13}}} 266.712")
    out.append(f"DCGM_FI_DEV_POWER_USAGE{{{L40S}}} 80.125")
    fam("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", "counter", "Total energy consumption since boot (in mJ).")
    out.append(f"DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{{{H100}{H100_POD}}} {h100_energy[i]}")
    out.append(f"DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{{{MIG1}}} {a100_energy[i]}")
    out.append(f"DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{{{MIG13}}} {a100_energy[i]}")
    out.append(f"DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{{{L40S}}} {l40s_energy[i]}")
    fam("DCGM_FI_PROF_GR_ENGINE_ACTIVE", "gauge", "Ratio of time the graphics engine is active.")
    out.append(f"DCGM_FI_PROF_GR_ENGINE_ACTIVE{{{H100}{H100_POD}}} {h100_gr[i]:.6f}")
    out.append(f"DCGM_FI_PROF_GR_ENGINE_ACTIVE{{{MIG1}}} 0.500000")
    out.append(f"DCGM_FI_PROF_GR_ENGINE_ACTIVE{{{MIG13}}} 0.250000")
    out.append(f"DCGM_FI_PROF_GR_ENGINE_ACTIVE{{{L40S}}} 0.200000")
    fam("DCGM_FI_PROF_SM_ACTIVE", "gauge", "The ratio of cycles an SM has at least 1 warp assigned.")
    out.append(f"DCGM_FI_PROF_SM_ACTIVE{{{H100}{H100_POD}}} {h100_gr[i]-0.1:.6f}")
    out.append(f"DCGM_FI_PROF_SM_ACTIVE{{{MIG1}}} 0.410000")
    out.append(f"DCGM_FI_PROF_SM_ACTIVE{{{MIG13}}} 0.190000")
    out.append(f"DCGM_FI_PROF_SM_ACTIVE{{{L40S}}} 0.150000")
    with open(f"dcgm/scrape-{i:02d}.txt", "w") as f:
        f.write("\n".join(out) + "\n")
