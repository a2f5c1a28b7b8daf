fn main() {
    std::process::exit(bedrock_meter::cli::main());
}
