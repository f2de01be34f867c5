import Builtin
import Platform

print("pleura \(PlatformVersion.current)")
