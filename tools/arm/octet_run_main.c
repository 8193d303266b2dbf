// main() of the static octet-run binary (tools/arm/build.sh): Embedded Swift has no
// CommandLine, so the arguments come from here. The logic is Swift (Sources/OctetRun).
int octet_run_main(int argc, char** argv);

int main(int argc, char** argv) { return octet_run_main(argc, argv); }
