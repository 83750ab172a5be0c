"""chiso — the governance-indicators warehouse (PCI, PAPI, PAR INDEX, SIPAS, DTI, one-stop logs)."""

__version__ = "0.1.0"
