/// The CLI's `print`: every line a command prints goes through `Terminal.escaped`, so that no
/// command can echo a control character raw, whichever value it interpolates. It shadows
/// `Swift.print` inside this module on purpose; JSON goes out through `OutputOptions.printJSON`.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
  Swift.print(Terminal.escaped(items.map { "\($0)" }.joined(separator: separator)), terminator: terminator)
}
