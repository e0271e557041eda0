; Tags for Python. Captures: @definition.* with @name, @base inside classes, @reference.call with @callee,
; @import on import statements (interpreted in code), @string on string literals (one-line ones
; holding a space are kept; no #match? predicate: it fails on files that are not UTF-8).
(class_definition
  name: (identifier) @name) @definition.class

(class_definition
  name: (identifier) @name
  superclasses: (argument_list [(identifier) (attribute)] @base)) @definition.class

(function_definition
  name: (identifier) @name) @definition.function

(call
  function: [(identifier) (attribute)] @callee) @reference.call

(import_statement) @import
(import_from_statement) @import

(string) @string
