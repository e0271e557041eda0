; Tags for Java.
(class_declaration
  name: (identifier) @name) @definition.class

(class_declaration
  name: (identifier) @name
  (superclass (type_identifier) @base)) @definition.class

(class_declaration
  name: (identifier) @name
  (super_interfaces (type_list (type_identifier) @base))) @definition.class

(interface_declaration
  name: (identifier) @name) @definition.class

(enum_declaration
  name: (identifier) @name) @definition.class

(method_declaration
  name: (identifier) @name) @definition.method

(constructor_declaration
  name: (identifier) @name) @definition.method

(method_invocation
  name: (identifier) @callee) @reference.call

(object_creation_expression
  type: (type_identifier) @callee) @reference.call

(import_declaration
  (scoped_identifier) @import.source) @import
