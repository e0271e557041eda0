; Tags for Go. Methods carry their receiver type in @receiver.
(type_declaration
  (type_spec
    name: (type_identifier) @name
    type: [(struct_type) (interface_type)])) @definition.class

(function_declaration
  name: (identifier) @name) @definition.function

(method_declaration
  receiver: (parameter_list
    (parameter_declaration
      type: [(type_identifier) @receiver (pointer_type (type_identifier) @receiver)]))
  name: (field_identifier) @name) @definition.method

(call_expression
  function: [(identifier) (selector_expression)] @callee) @reference.call

(import_spec
  name: (package_identifier)? @import.alias
  path: (interpreted_string_literal) @import.source) @import
